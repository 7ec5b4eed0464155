from maillage.association.models.members import College, FeeRate, Member, MemberTransition, Statutes

__all__ = ["College", "FeeRate", "Member", "MemberTransition", "Statutes"]
