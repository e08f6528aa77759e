"""HTML reports (the class page, each student's page) and exports of graded results."""
