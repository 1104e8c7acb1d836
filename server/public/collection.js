// SKELETON (learning together): filled in by its helper.
