from django.urls import path

from . import citation_views, review_views, version_views, views
from .usage import views as usage_views

app_name = "library"

urlpatterns = [
    path("", views.search, name="search"),
    path("upload/", views.upload, name="upload"),
    path("my-uploads/", views.my_uploads, name="my_uploads"),
    path(
        "my-uploads/<int:pk>/resubmit/", views.resubmit_upload, name="resubmit_upload"
    ),
    path("review/", review_views.review_list, name="review"),
    path("review/<int:pk>/", review_views.review_item, name="review_item"),
    path("files/<int:pk>/download/", views.download, name="download"),
    path("files/<int:pk>/new-version/", version_views.new_version, name="new_version"),
    path("items/<int:pk>/usage/", usage_views.item_usage, name="item_usage"),
    path("usage/", usage_views.school_usage, name="school_usage"),
    path(
        "items/<int:pk>/cite/<slug:format_name>/",
        citation_views.cite_item,
        name="cite_item",
    ),
    path("cite/<slug:format_name>/", citation_views.cite_results, name="cite_results"),
]
