"""The org's data: objects and fields from the package metadata, records, SOQL and Bulk API 2.0.

Nothing here knows HTTP; the views in :mod:`standins.salesforce.views` turn requests into calls of
these modules and their errors into Salesforce's answers.
"""
