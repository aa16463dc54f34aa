"""Dealer assignment and controller resolution for a brand's national dealer network.

Kept light on purpose: the client CLI imports `cocontroller.v1` and the model through this
package, and must not load the server (see the layers in pyproject.toml).
"""
