"""Content negotiation: `?format=` naming no renderer of the endpoint is bad input (400, naming
the formats there are), not DRF's bare 404 "Not found." that reads like a missing object."""

from rest_framework.negotiation import DefaultContentNegotiation

from oncall_project.base.errors import InvalidInput


class FormatNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            formats = ", ".join(renderer.format for renderer in renderers)
            message = f"Unknown format '{format}': use one of {formats}."
            raise InvalidInput(message, {"format": [message]})
        return chosen
