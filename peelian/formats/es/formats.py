"""Spanish as written for readers in the United States: the same decimal point and
thousands comma as the English pages (as US city governments publish in Spanish), so a
figure reads the same in both languages. Dates and everything else follow Django's own
Spanish formats."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
