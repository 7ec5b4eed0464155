from django.conf import settings


def maps(request):
    return {"map_tiles_url": settings.MAP_TILES_URL, "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION}
