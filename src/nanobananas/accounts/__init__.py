"""Who a user is: guests now; accounts, age gate, plans and quotas build on it."""
