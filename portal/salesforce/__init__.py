"""The one place that talks to Salesforce's data API, and the only importer of simple-salesforce."""
