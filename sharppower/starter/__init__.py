"""The starter data set: a few facts with citations that we wrote ourselves, so that
`make demo` works on a fresh machine with no mirror and no network."""
