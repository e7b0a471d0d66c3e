"""Reads of services, each in a fixed number of queries: `services` (the API's lists and team
references), `answers` (whom to tag for services — the bot's lookups, escalations, `/oncall`),
`named` (active services by name, the bot's one prepared statement), and the pages' own:
`directory` (the services directory) and `who` ("who is on call for…")."""
