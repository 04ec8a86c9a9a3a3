"""(filled by its issue)"""

urlpatterns: list = []
