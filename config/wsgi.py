import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded at start-up (Django, the URL resolvers, the apps' modules: some 200,000 objects)
# lives as long as the process. Left to the garbage collector, each full collection walks them all
# again: issue 18's benchmark saw 70-175 ms tails on 5 ms requests. Collected once here, then frozen
# into the permanent generation, they are never scanned again (each gunicorn worker loads the
# application itself, so each freezes its own).
gc.collect()
gc.freeze()
