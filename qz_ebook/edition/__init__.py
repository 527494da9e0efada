"""The book prepared for the writers: pages, navigation, relations, print pages, claims."""
