"""Paginated lists of the API: `limit` and `offset` in the query, `count` and `next` in the answer.

django-ninja's limit/offset pagination, with `next` (the address of the following page, or null)
and a maximum `limit` per endpoint."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


def limit_offset(default: int, maximum: int) -> type[LimitOffsetPagination]:
    class Paged(LimitOffsetPagination):
        class Input(Schema):
            limit: int = Field(default, ge=1, le=maximum, description=f"Nombre d'éléments, {maximum} au plus.")
            offset: int = Field(0, ge=0, le=1_000_000, description="Nombre d'éléments sautés.")

        class Output(Schema):
            items: list[Any]
            count: int = Field(description="Nombre total d'éléments.")
            next: str | None = Field(description="Adresse de la page suivante, null sur la dernière.")

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(max_limit=maximum, **kwargs)

        def paginate_queryset(self, queryset, pagination, request, **params):
            page = super().paginate_queryset(queryset, pagination, request, **params)
            following = pagination.offset + pagination.limit
            page["next"] = None
            if following < page["count"]:
                query = request.GET.copy()
                query["offset"] = str(following)
                query["limit"] = str(pagination.limit)
                page["next"] = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            return page

    return Paged
