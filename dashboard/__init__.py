"""The Streamlit dashboard: reads the warehouse's marts, shows them to wellbeing-region leaders."""
