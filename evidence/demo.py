"""The demo's evidence strands: the real strand names of the EEF's Teaching
and Learning Toolkit and Early Years Toolkit, and no ratings. The Toolkit's
ratings are the EEF's and change when it revises them, so an administrator
enters them from the Toolkit (the strand page or the import); the demo never
makes them up."""

from .models import EvidenceStrand, StrandPhase

TEACHING_AND_LEARNING_STRANDS = (
    "Arts participation",
    "Aspiration interventions",
    "Behaviour interventions",
    "Collaborative learning approaches",
    "Extending school time",
    "Feedback",
    "Homework",
    "Individualised instruction",
    "Learning styles",
    "Mastery learning",
    "Mentoring",
    "Metacognition and self-regulation",
    "One to one tuition",
    "Oral language interventions",
    "Outdoor adventure learning",
    "Parental engagement",
    "Peer tutoring",
    "Performance pay",
    "Phonics",
    "Physical activity",
    "Reading comprehension strategies",
    "Reducing class size",
    "Repeating a year",
    "School uniform",
    "Setting and streaming",
    "Small group tuition",
    "Social and emotional learning",
    "Summer schools",
    "Teaching assistant interventions",
    "Using digital technology",
    "Within-class attainment grouping",
)

EARLY_YEARS_STRANDS = (
    "Communication and language approaches",
    "Earlier starting age",
    "Early literacy approaches",
    "Early numeracy approaches",
    "Extra hours",
    "Parental engagement",
    "Physical development approaches",
    "Play-based learning",
    "Self-regulation strategies",
    "Social and emotional strategies",
)


def seed_strands() -> str:
    """Create the strands that are missing; safe to run again."""
    created = 0
    for phase, names in (
        (StrandPhase.SCHOOL, TEACHING_AND_LEARNING_STRANDS),
        (StrandPhase.EARLY_YEARS, EARLY_YEARS_STRANDS),
    ):
        for name in names:
            created += EvidenceStrand.objects.get_or_create(phase=phase, name=name)[1]
    return f"Evidence strands: {created} new, ratings left for an administrator to enter"
