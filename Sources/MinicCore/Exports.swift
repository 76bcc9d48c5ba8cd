// The home builds on the base; modules that import MinicCore get it too.
@_exported import MinicBase
