"""The qlang grammar; installed as the package data `qlang.grammar`."""
