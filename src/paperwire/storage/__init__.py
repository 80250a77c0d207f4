"""Storage: the Store protocol and its implementations."""

from paperwire.storage.base import CatalogStore, Store, Transaction

__all__ = ["CatalogStore", "Store", "Transaction"]
