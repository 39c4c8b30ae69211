"""Groups and mentors: who may steer a group, and how the group is doing."""
