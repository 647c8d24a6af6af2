from .cli.app import script

script()
