"""The seeded users, as personas named by role (module-scoped fixtures use them directly).

Alice (admin) and Bob (finance manager) hold Ledgerlink_Admin, Carol (clerk) Ledgerlink_User and
Dave (viewer) the read-only Ledgerlink_Viewer at Acme; Erin (outsider) and Frank are Globex admins.
"""

from tests.standins.salesforce.flows import ACME, GLOBEX, Persona

ADMIN = Persona(
    "0055g00000AAdmiAAD", ACME, "alice@acme.example", "alice-demo-pass", "Alice", "Admin"
)
FINANCE_MANAGER = Persona(
    "0055g00000BFinAAAT", ACME, "bob@acme.example", "bob-demo-pass", "Bob", "Finance"
)
CLERK = Persona(
    "0055g00000CClerAAD", ACME, "carol@acme.example", "carol-demo-pass", "Carol", "Clerk"
)
VIEWER = Persona(
    "0055g00000DViewAAD", ACME, "dave@acme.example", "dave-demo-pass", "Dave", "Viewer"
)
OUTSIDER = Persona(
    "0057Q00000ESandQAD",
    GLOBEX,
    "erin@globex.example.sandbox",
    "erin-demo-pass",
    "Erin",
    "Outsider",
)
