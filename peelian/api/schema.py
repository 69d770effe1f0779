"""OpenAPI descriptions of Peelian's authentication classes (drf-spectacular extensions)."""

from drf_spectacular.authentication import SessionScheme


class MFASessionScheme(SessionScheme):
    target_class = "peelian.api.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 0

    def get_security_definition(self, auto_schema):
        definition = super().get_security_definition(auto_schema)
        definition["description"] = (
            "The staff web session, after password and second factor; unsafe methods also "
            "need the CSRF token in the X-CSRFToken header."
        )
        return definition
