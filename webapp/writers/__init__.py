"""Writers who save drawings under a name: their names, answers adapted to their hand, forgetting them."""
