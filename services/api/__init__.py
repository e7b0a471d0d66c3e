"""The services API: `/services/` (`services`), the bot's on-call lookups `/oncall/` and
`/oncall/mentions/` (`oncall`, with the OpenAPI examples in `examples`) and `/services/lookup/`
(`lookup`)."""
