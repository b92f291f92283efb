# The PyTorch side of the parity suite, one module per case family; make_fixtures.py runs them in order.
