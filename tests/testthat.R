library(testthat)
library(radiogenomics)

test_check("radiogenomics")
