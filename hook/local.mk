# hook build fragment
