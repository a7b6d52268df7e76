# xml-schemas build fragment
