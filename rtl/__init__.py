"""Amaranth components of the tauflow datapath, built from :class:`golden.fixed.FixedSpec`."""
