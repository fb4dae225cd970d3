"""Web Push: new orders ring on the seller's phone, even with the board closed."""
