from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """
    Return a short page for a load balancer's liveness probe.

    It touches neither the database nor the cache, so it measures the
    process alone. Page benchmarks compare with it as their floor.
    """
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")
