// Every function of the app registers itself on import; the real host and the local host load this file.
