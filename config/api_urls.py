"""REST API v1. Each app's api.py contributes its routes."""

urlpatterns: list = []
