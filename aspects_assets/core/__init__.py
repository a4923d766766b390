"""The pure core: data in, data out. Validation, localization, bundles,
normalization, planning, adopt's and pull's computations. No HTTP, no click."""
