from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """
    Answer a load balancer's liveness probe.

    It touches neither the database nor the cache, so it measures the
    process alone; it is also the floor that page benchmarks compare with.
    """
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")
