"""Training, commendations and evaluations: the parts of a volunteer's record that 条例 art. 19
and 民政部令第67号 oblige the organisation to keep beside basic data and service hours."""
