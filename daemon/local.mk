# daemon build fragment
