"""Livedesk's data files (sample plan, advertising-law word list, translations, fonts).

A package only so that installers ship it: read its files through
:func:`console.support.resources.resource_path`, never by a path relative to a source file.
"""
