"""Reviews of completed gig orders (issue 16): one per order by its buyer, one reply by its
seller; the gig's and the seller's ratings (docs/marketplace.md)."""
