"""Demo data for the local Salesforce: a European company's accounts, mandates, open items and
payments, written straight into the stand-in's store (``python -m standins.salesforce.demo``)."""
