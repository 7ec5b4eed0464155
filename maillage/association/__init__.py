"""The association behind the CPTS (loi 1901): its members and collèges, fees, general assemblies
and votes, board, and how it talks to its members."""
