"""Generic adapter: any JSON websocket -> protocol v1 feed, mapped by a YAML file."""

from plugins.json_mapper.mapping import Mapper, Mapping, MappingError, get_path
from plugins.json_mapper.plugin import JsonMapperFeed

__all__ = ["JsonMapperFeed", "Mapper", "Mapping", "MappingError", "get_path"]
