"""Dealer assignment and controller resolution for Lexus Belgium's dealer network.

The domain modules (postcodes, geo, store, assignment, rules) know nothing about gRPC;
server.py maps them onto the API in proto/cocontroller/v1.
"""
