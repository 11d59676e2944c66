"""Whether each subscriber and each reminder contact was verified when the row was made.

A delivery about a private incident goes only to a name that is believed (``incident/visibility.py``):
a signed-in person, the trusted local operator (the CLI, a notebook), or anyone while the install
trusts typed names. Until now the rows kept only the name, so a name typed without signing in
received the private updates and reminders of the signed-in person of that name.

Rows written before this migration are recorded as not verified: nothing says whether a sign-in
proved them, and guessing "verified" would keep sending private incidents to a typed name. They keep
receiving everything about incidents that are not private. To restore a private incident's updates,
the person subscribes again signed in (or an admin, or the CLI, does it for them): the new, verified
subscription replaces the old one. A contact is set again the same way. Installs that trust typed
names see no change, since every name is believed there.

It only adds two columns to tables of migration 3, so it applies whether or not the migrations
numbered between 9 and 12 have run yet.
"""

STATEMENTS = [
    "ALTER TABLE subscriptions ADD COLUMN verified BOOLEAN DEFAULT FALSE",
    "ALTER TABLE contacts ADD COLUMN verified BOOLEAN DEFAULT FALSE",
    # Both stores fill existing rows with the default; say it anyway so no row is left NULL.
    "UPDATE subscriptions SET verified = FALSE WHERE verified IS NULL",
    "UPDATE contacts SET verified = FALSE WHERE verified IS NULL",
]
