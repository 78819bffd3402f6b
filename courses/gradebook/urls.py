app_name = "gradebook"

urlpatterns = []
