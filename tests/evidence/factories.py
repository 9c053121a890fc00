import factory
from factory.django import DjangoModelFactory

from evidence.models import EvidenceStrand, StrandPhase


class EvidenceStrandFactory(DjangoModelFactory):
    class Meta:
        model = EvidenceStrand
        django_get_or_create = ("phase", "name")

    name = factory.Iterator(["Feedback", "Phonics", "Mentoring", "Peer tutoring"])
    phase = StrandPhase.SCHOOL
