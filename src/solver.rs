//! The one wiring point: builds the search for a ReLU model with the plug-ins the options choose.
