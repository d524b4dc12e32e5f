// Tests of the routing evaluation metrics.
