// Evaluation of routers on labeled routing data: APGR, CPT, AIQ and cost-quality curves.
