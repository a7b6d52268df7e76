# tools build fragment
