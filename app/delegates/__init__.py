"""A delegate as a whole: the actions that touch several domains at once (registering with the
newsletter, changing, cancelling, erasing and exporting a registration with its seats and
subscription), and which delegate a device is signed in as."""
