from django.urls import path

from . import authoring_views, views

app_name = "quizzes"

urlpatterns = [
    path("course/<int:course_id>/", views.course_quizzes, name="course"),
    path("course/<int:course_id>/questions/", views.question_bank, name="questions"),
    path("course/<int:course_id>/new/", views.quiz_new, name="new"),
    path(
        "question/<int:question_id>/edit/",
        authoring_views.question_edit,
        name="question_edit",
    ),
    path(
        "question/<int:question_id>/delete/",
        authoring_views.question_delete,
        name="question_delete",
    ),
    path("<int:quiz_id>/", views.detail, name="detail"),
    path("<int:quiz_id>/edit/", authoring_views.quiz_edit, name="edit"),
    path("<int:quiz_id>/delete/", authoring_views.quiz_delete, name="delete"),
    path("<int:quiz_id>/allowances/", views.allowances, name="allowances"),
    path("<int:quiz_id>/start/", views.start, name="start"),
    path("<int:quiz_id>/grading/", views.grading, name="grading"),
    path("<int:quiz_id>/release/", views.release, name="release"),
    path("attempt/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempt/<int:attempt_id>/save/", views.save, name="save"),
    path("attempt/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempt/<int:attempt_id>/review/", views.review, name="review"),
    path("answer/<int:answer_id>/grade/", views.grade_answer, name="grade_answer"),
]
